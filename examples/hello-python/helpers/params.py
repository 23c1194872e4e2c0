"""Parses Kindling's `config:key=value` run arguments."""


def parse_config_args(argv):
    """Returns {key: value} for every `config:key=value` token; other tokens are ignored."""
    params = {}
    for token in argv:
        if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
            token = token[1:-1]
        if not token.startswith("config:") or "=" not in token:
            continue
        key, value = token[len("config:"):].split("=", 1)
        params[key] = value
    return params
