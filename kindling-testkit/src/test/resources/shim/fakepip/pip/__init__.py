"""A stand-in for pip (first on PYTHONPATH in tests): see __main__.py."""
