"""The logic of {{name}}, kept apart from main.py so that tests can import it."""
