"""Kindling bootstrap shim: runs one release of a Kindling data app on a Spark driver.

Contract: docs/internals/release-and-shim.md. Python 3.8+, standard library only.

Arguments are ``config:key=value`` tokens. The shim reads the release manifest from the artifacts
root, copies and verifies the release's files into a fresh working directory, installs wheels,
runs the entry point as ``__main__`` and always writes ``data-apps/<app>/runs/<tag>/result.json``.

Storage is reached through the platform's storage utilities (``mssparkutils``/``notebookutils``
on Fabric and Synapse, ``dbutils`` on Databricks) or, for a local artifacts root, the file system.

Parameter values may be secrets: this file never prints them, nor the full argv.
"""

import collections
import datetime
import hashlib
import importlib
import importlib.util
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback
import types
import urllib.parse
import urllib.request

RESULT_VERSION = 1
MANIFEST_VERSION = 1
TAIL_LINES = 200
MAX_LINE_CHARS = 4000
CHUNK_BYTES = 1024 * 1024
PIP_ERROR_LINES = 30
RESULT_MAX_BYTES = 64 * 1024

KEY_ROOT = "artifacts_storage_path"
KEY_APP = "app_name"
KEY_RELEASE = "kindling.release"
KEY_RUN_TAG = "kindling.run_tag"
RESERVED_KEYS = (KEY_ROOT, KEY_APP, KEY_RELEASE, KEY_RUN_TAG)

ENV_PIP_TARGET = "KINDLING_PIP_TARGET"

_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_REMOTE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")


class BootstrapError(Exception):
    """An expected failure of the bootstrap itself (not of the app); the message says why."""


def log(message):
    print("[kindling] " + message, flush=True)


def log_error(message):
    print("[kindling] ERROR: " + message, file=sys.stderr, flush=True)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Arguments


def unquote_token(token):
    """Strips one pair of matching surrounding quotes."""
    if len(token) >= 2 and token[0] == token[-1] and token[0] in ("'", '"'):
        return token[1:-1]
    return token


def parse_tokens(argv):
    """Returns (config tokens as given to the app, config dict).

    Values stay strings. The reserved kindling keys keep their first value (the deployer passes
    them first); other keys keep their last value (per-run parameters override job defaults).
    """
    tokens = []
    config = {}
    for raw in argv:
        token = unquote_token(str(raw))
        if not token.startswith("config:"):
            continue
        tokens.append(token)
        key, sep, value = token[len("config:"):].partition("=")
        if not sep or not key:
            continue
        if key in RESERVED_KEYS and key in config:
            continue
        config[key] = value
    return tokens, config


class RunSpec(object):
    def __init__(self, root, app, release, run_tag):
        self.root = root
        self.app = app
        self.release = release
        self.run_tag = run_tag

    @property
    def app_dir(self):
        return "data-apps/" + self.app

    @property
    def manifest_path(self):
        return self.app_dir + "/releases/" + self.release + ".json"

    @property
    def result_path(self):
        return self.app_dir + "/runs/" + self.run_tag + "/result.json"


def run_spec(config):
    if not config.get(KEY_RUN_TAG):
        # a run the platform started by itself (a schedule, the portal's "run now") carries the
        # job's default arguments only: give it a tag of its own, in RunTags' format
        now = datetime.datetime.now(datetime.timezone.utc)
        config[KEY_RUN_TAG] = now.strftime("%Y%m%dT%H%M%SZ") + "-" + os.urandom(4).hex()
    missing = [k for k in RESERVED_KEYS if not config.get(k)]
    if missing:
        raise BootstrapError("missing argument(s): " + ", ".join("config:" + k for k in missing))
    for key in (KEY_APP, KEY_RELEASE, KEY_RUN_TAG):
        value = config[key]
        if not _NAME_RE.match(value) or value in (".", ".."):
            raise BootstrapError("invalid %s: only letters, digits, '-', '_' and '.'" % key)
    return RunSpec(config[KEY_ROOT], config[KEY_APP], config[KEY_RELEASE], config[KEY_RUN_TAG])


# --------------------------------------------------------------------------------------------
# Storage


def is_remote(root):
    m = _REMOTE_RE.match(root)
    return bool(m) and m.group(1).lower() != "file"


def local_path(root):
    if root.lower().startswith("file:"):
        root = urllib.request.url2pathname(urllib.parse.urlparse(root).path)
    return os.path.abspath(root)


def find_storage_utils():
    """Returns (name, utils) of the first storage utilities found, or (None, None)."""
    main = sys.modules.get("__main__")
    for name in ("mssparkutils", "dbutils"):
        utils = getattr(main, name, None)
        if utils is not None:
            return "__main__." + name, utils
    try:
        from notebookutils import mssparkutils  # noqa: F401 (Fabric, Synapse)

        return "notebookutils.mssparkutils", mssparkutils
    except Exception:
        pass
    try:
        if importlib.util.find_spec("pyspark") is not None:
            if importlib.util.find_spec("pyspark.dbutils") is not None:
                from pyspark.dbutils import DBUtils  # Databricks
                from pyspark.sql import SparkSession

                return "pyspark.dbutils", DBUtils(SparkSession.builder.getOrCreate())
    except Exception:
        pass
    return None, None


def main_namespace_utils():
    """Storage utilities defined in ``__main__``, passed on to the app's globals."""
    main = sys.modules.get("__main__")
    found = {}
    for name in ("mssparkutils", "dbutils"):
        utils = getattr(main, name, None)
        if utils is not None:
            found[name] = utils
    return found


def check_relative(path, what):
    """Rejects absolute paths and '..' segments; returns the path's segments."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or re.match(r"^[A-Za-z]:", path)
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise BootstrapError("invalid %s path: %r" % (what, path))
    return parts


def first_line(exc):
    text = str(exc).strip().splitlines()
    text = text[0] if text else ""
    if len(text) > 300:
        text = text[:300] + "..."
    return type(exc).__name__ + (": " + text if text else "")


class LocalStore(object):
    """An artifacts root that is a directory on this machine."""

    description = "local filesystem"

    def __init__(self, root):
        self.root = local_path(root)

    def _path(self, rel):
        return os.path.join(self.root, *rel.split("/"))

    def fetch(self, rel, dest):
        """Copies the file at rel to the local path dest; raises OSError saying why it can't."""
        src = self._path(rel)
        if not os.path.isfile(src):
            raise FileNotFoundError("not found")
        shutil.copyfile(src, dest)

    def list_files(self, rel_dir):
        """File names directly in rel_dir; empty if it does not exist."""
        path = self._path(rel_dir)
        if not os.path.isdir(path):
            return []
        return sorted(n for n in os.listdir(path) if os.path.isfile(os.path.join(path, n)))

    def write_text(self, rel, text):
        path = self._path(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp-%d" % os.getpid()
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)


class UtilsStore(object):
    """A remote artifacts root reached through mssparkutils/notebookutils/dbutils ``fs``."""

    def __init__(self, root, name, utils):
        self.root = root.rstrip("/")
        self.description = name
        self.fs = utils.fs

    def _path(self, rel):
        return self.root + "/" + rel

    def fetch(self, rel, dest):
        try:
            self.fs.cp(self._path(rel), "file:" + dest)
        except Exception as e:
            raise OSError("not readable: %s" % first_line(e))
        if not os.path.isfile(dest):
            raise FileNotFoundError("not found")

    def list_files(self, rel_dir):
        path = self._path(rel_dir)
        exists = getattr(self.fs, "exists", None)
        if exists is not None:
            if not exists(path):
                return []
            entries = self.fs.ls(path)
        else:  # dbutils has no exists(); ls fails on a missing directory
            try:
                entries = self.fs.ls(path)
            except Exception:
                return []
        names = []
        for entry in entries:
            is_dir = getattr(entry, "isDir", False)
            if callable(is_dir):
                is_dir = is_dir()
            name = getattr(entry, "name", None) or str(getattr(entry, "path", "")).rstrip("/")
            name = name.rsplit("/", 1)[-1]
            if name and not is_dir and not name.endswith("/"):
                names.append(name)
        return sorted(names)

    def write_text(self, rel, text):
        self.fs.put(self._path(rel), text, True)


def open_store(root):
    if not is_remote(root):
        return LocalStore(root)
    name, utils = find_storage_utils()
    if utils is None:
        raise BootstrapError(
            "no storage utilities (mssparkutils, notebookutils, dbutils) to read a %s: root"
            % _REMOTE_RE.match(root).group(1)
        )
    return UtilsStore(root, name, utils)


# --------------------------------------------------------------------------------------------
# Output capture


class OutputTail(object):
    """The last lines written to stdout and stderr, in order."""

    def __init__(self, limit):
        self.lines = collections.deque(maxlen=limit)
        self.lock = threading.Lock()
        self.partial = {}

    def feed(self, stream_id, text):
        with self.lock:
            text = self.partial.get(stream_id, "") + text
            parts = text.split("\n")
            for line in parts[:-1]:
                self._add(line)
            rest = parts[-1]
            while len(rest) > MAX_LINE_CHARS:
                self._add(rest[:MAX_LINE_CHARS])
                rest = rest[MAX_LINE_CHARS:]
            self.partial[stream_id] = rest

    def _add(self, line):
        line = line.rstrip("\r")
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + "..."
        self.lines.append(line)

    def snapshot(self):
        with self.lock:
            lines = list(self.lines)
            lines.extend(p for p in self.partial.values() if p)
            return lines[-self.lines.maxlen:]


class TeeStream(object):
    """Writes through to the real stream (so the driver log still streams) and to the tail."""

    def __init__(self, stream, tail, stream_id):
        self._stream = stream
        self._tail = tail
        self._id = stream_id

    def write(self, text):
        n = self._stream.write(text) if self._stream is not None else len(text)
        self._tail.feed(self._id, text)
        return n

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._stream is not None:
            self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


# --------------------------------------------------------------------------------------------
# Release


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK_BYTES)
            if not chunk:
                break
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(store, spec, staging):
    local = os.path.join(staging, "manifest.json")
    try:
        store.fetch(spec.manifest_path, local)
    except OSError as e:
        raise BootstrapError("release manifest %s %s" % (spec.manifest_path, e))
    try:
        with open(local, "r", encoding="utf-8") as f:
            manifest = json.load(f)
    except ValueError as e:
        raise BootstrapError("release manifest %s: invalid JSON (%s)" % (spec.manifest_path, e))
    if not isinstance(manifest, dict) or manifest.get("kindling_release") != MANIFEST_VERSION:
        raise BootstrapError("unsupported release manifest: %s" % spec.manifest_path)
    if manifest.get("app") != spec.app or manifest.get("release") != spec.release:
        raise BootstrapError(
            "release manifest %s is for app %r release %r"
            % (spec.manifest_path, manifest.get("app"), manifest.get("release"))
        )
    if manifest.get("runtime", "python") != "python":
        raise BootstrapError("release %s is not a python release" % spec.release)
    files = manifest.get("files")
    if not isinstance(files, list):
        raise BootstrapError("release manifest has no files list")
    entry = manifest.get("entry_point")
    if not entry or entry not in [f.get("path") for f in files if isinstance(f, dict)]:
        raise BootstrapError("entry point %r is not a file of the release" % entry)
    return manifest


def materialise(store, manifest, workdir):
    """Copies every file into workdir and verifies size and SHA-256; returns the app paths."""
    paths = []
    for item in manifest["files"]:
        if not isinstance(item, dict):
            raise BootstrapError("release manifest has an invalid files entry")
        path = item.get("path", "")
        parts = check_relative(path, "file")
        blob = item.get("blob", "")
        check_relative(blob, "blob")
        dest = os.path.join(workdir, *parts)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        try:
            store.fetch(blob, dest)
        except OSError as e:
            raise BootstrapError("file %s: blob %s %s" % (path, blob, e))
        size = os.path.getsize(dest)
        if size != item.get("size"):
            raise BootstrapError(
                "file %s: size mismatch (expected %s bytes, got %d)"
                % (path, item.get("size"), size)
            )
        actual = sha256_file(dest)
        if actual != str(item.get("sha256", "")).lower():
            raise BootstrapError(
                "file %s: sha256 mismatch (expected %s, got %s)"
                % (path, item.get("sha256"), actual)
            )
        paths.append(path)
    return paths


# --------------------------------------------------------------------------------------------
# Dependencies


def _strip_yaml_comment(text):
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in ("'", '"'):
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i]
    return text


def _yaml_scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in ("'", '"'):
        return text[1:-1]
    return text


def _split_flow(text):
    items, quote, current = [], None, ""
    for c in text:
        if quote:
            if c == quote:
                quote = None
        elif c in ("'", '"'):
            quote = c
        elif c == ",":
            items.append(current)
            current = ""
            continue
        current += c
    items.append(current)
    return [_yaml_scalar(i) for i in items if i.strip()]


def yaml_string_list(text, key):
    """The top-level ``key`` of a YAML document as a list of strings (block or flow style).

    A deliberately small reader: the shim must not depend on PyYAML.
    """
    lines = text.splitlines()
    pattern = re.compile(r"^%s\s*:(.*)$" % re.escape(key))
    for i, line in enumerate(lines):
        m = pattern.match(line)
        if not m:
            continue
        rest = _strip_yaml_comment(m.group(1)).strip()
        if rest in ("~", "null", "Null", "NULL"):
            return []
        if rest:
            if rest.startswith("[") and rest.endswith("]"):
                return _split_flow(rest[1:-1])
            raise BootstrapError("app.yaml: %s must be a list" % key)
        items = []
        for line2 in lines[i + 1:]:
            stripped = _strip_yaml_comment(line2).strip()
            if not stripped:
                continue
            if stripped == "-" or stripped.startswith("- "):
                value = _yaml_scalar(stripped[1:])
                if value:
                    items.append(value)
            elif not line2[:1].isspace():
                break
        return items
    return []


def _version_key(version):
    m = re.match(r"^v?(\d+(?:\.\d+)*)(.*)$", version)
    if not m:
        return ((), 1, version)
    release = [int(x) for x in m.group(1).split(".")]
    while release and release[-1] == 0:
        release.pop()
    rest = m.group(2).lower()
    if not rest or rest.startswith("+"):
        rank = 2
    elif "post" in rest:
        rank = 3
    elif "dev" in rest and not re.search(r"(a|b|c|rc|alpha|beta)\d", rest):
        rank = 0
    else:
        rank = 1
    return (tuple(release), rank, rest)


def wheel_name_version(file_name):
    parts = file_name[: -len(".whl")].split("-")
    if len(parts) < 5:
        return file_name.lower(), ""
    return re.sub(r"[-_.]+", "-", parts[0]).lower(), parts[1]


def newest_per_distribution(file_names):
    best = {}
    for name in file_names:
        dist, version = wheel_name_version(name)
        key = (_version_key(version), name)
        if dist not in best or key > best[dist][0]:
            best[dist] = (key, name)
    return sorted(v[1] for v in best.values())


def collect_wheels(store, app_paths, workdir, staging):
    """Returns (wheel paths, find-links dirs): the app's wheels plus packages/*.whl."""
    wheels, links = [], []
    app_dists = set()
    for path in app_paths:
        if path.endswith(".whl"):
            local = os.path.join(workdir, *path.split("/"))
            wheels.append(local)
            app_dists.add(wheel_name_version(path.rsplit("/", 1)[-1])[0])
            if os.path.dirname(local) not in links:
                links.append(os.path.dirname(local))
    names = [n for n in store.list_files("packages") if n.endswith(".whl")]
    names = [
        n for n in newest_per_distribution(names) if wheel_name_version(n)[0] not in app_dists
    ]
    if names:
        pkg_dir = os.path.join(staging, "packages")
        os.makedirs(pkg_dir, exist_ok=True)
        for name in names:
            local = os.path.join(pkg_dir, name)
            try:
                store.fetch("packages/" + name, local)
            except OSError as e:
                raise BootstrapError("wheel packages/%s %s" % (name, e))
            wheels.append(local)
        links.append(pkg_dir)
    return wheels, links


def app_dependencies(workdir):
    path = os.path.join(workdir, "app.yaml")
    if not os.path.isfile(path):
        return []
    with open(path, "r", encoding="utf-8") as f:
        return yaml_string_list(f.read(), "dependencies")


def pip_install(wheels, links, requirements):
    """Installs local wheels (offline when there are no index requirements) and requirements."""
    target = os.environ.get(ENV_PIP_TARGET)
    cmd = [sys.executable or "python", "-m", "pip", "install"]
    cmd += ["--disable-pip-version-check", "--no-input"]
    if not requirements:
        cmd.append("--no-index")
    for link in links:
        cmd += ["--find-links", link]
    if target:
        target = os.path.abspath(target)
        cmd += ["--target", target, "--upgrade"]
    cmd += wheels + requirements
    if requirements:
        log("installing %d wheel(s) and %d requirement(s) from the package index"
            % (len(wheels), len(requirements)))
    else:
        log("installing %d wheel(s) offline" % len(wheels))
    try:
        proc = subprocess.run(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            universal_newlines=True,
            errors="replace",
        )
    except OSError as e:
        raise BootstrapError("pip could not be started: %s" % e)
    if proc.returncode != 0:
        output = proc.stdout or ""
        sys.stderr.write(output if output.endswith("\n") or not output else output + "\n")
        tail = "\n".join(output.rstrip().splitlines()[-PIP_ERROR_LINES:])
        raise BootstrapError("pip install failed with exit code %d:\n%s" % (proc.returncode, tail))
    if target:
        if target not in sys.path:
            sys.path.insert(0, target)
    else:
        add_site_dirs()
    importlib.invalidate_caches()
    log("pip install done")


def add_site_dirs():
    """Adds site directories pip may just have created (e.g. the user site) to sys.path."""
    try:
        import site

        dirs = list(getattr(site, "getsitepackages", lambda: [])())
        dirs.append(site.getusersitepackages())
        for d in dirs:
            if d and os.path.isdir(d) and d not in sys.path:
                site.addsitedir(d)
    except Exception:
        pass


# --------------------------------------------------------------------------------------------
# Running the app


class ResultBox(object):
    """The JSON value the app returns: kindling.set_result(value) or a module-level `result`."""

    def __init__(self):
        self.has_value = False
        self.value = None
        self.error = None

    def set(self, value):
        """Stores a copy of value; raises ValueError (and keeps the old value) if it can't."""
        self.value = encode_result(value)
        self.has_value = True
        self.error = None

    def offer_module_result(self, namespace):
        """Takes the module-level `result` when the app did not call set_result."""
        if self.has_value or not isinstance(namespace, dict) or "result" not in namespace:
            return
        value = namespace["result"]
        if isinstance(value, (types.ModuleType, types.FunctionType, type)):
            return
        try:
            self.set(value)
        except ValueError as e:
            self.error = "module-level result: %s" % e
            log_error(self.error)


def encode_result(value):
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise ValueError(
            "the value is not JSON (%s); use dicts, lists, strings, numbers, booleans or None"
            % first_line(e)
        )
    size = len(text.encode("utf-8"))
    if size > RESULT_MAX_BYTES:
        raise ValueError(
            "the value is %d bytes as JSON, over the %d KiB limit; return a summary and write"
            " large output to storage" % (size, RESULT_MAX_BYTES // 1024)
        )
    return json.loads(text)


def module_exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return True  # something named so is there, even if broken: never shadow it


def result_module(box):
    """The `kindling_runtime` helper module apps import to return a value."""
    module = types.ModuleType("kindling_runtime")
    module.__doc__ = "Kindling's run-time helpers (added by the bootstrap shim)."

    def set_result(value):
        """Records value (JSON, at most 64 KiB) as the run's result; the last call wins."""
        try:
            box.set(value)
        except ValueError as e:
            raise ValueError("kindling.set_result: %s" % e) from None

    module.set_result = set_result
    module.RESULT_MAX_BYTES = RESULT_MAX_BYTES
    return module


class Outcome(object):
    def __init__(self, exit_code, error=None, tb=None, box=None):
        self.exit_code = exit_code
        self.error = error
        self.traceback = tb
        self.box = box or ResultBox()

    @property
    def state(self):
        return "SUCCEEDED" if self.exit_code == 0 else "FAILED"


def exit_code_of(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def app_traceback(exc, workdir):
    """The traceback from the first frame in the app (the shim's own frames are left out)."""
    def in_app(frame):
        name = frame.f_code.co_filename
        return not name.startswith("<") and os.path.abspath(name).startswith(workdir + os.sep)

    tb = exc.__traceback__
    while tb is not None and not in_app(tb.tb_frame):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


SPARK_MODULES = ("pyspark", "py4j", "delta")


def missing_module_hint(exc):
    """How to fix an app that imports PySpark where none is installed (local runs)."""
    if isinstance(exc, ImportError) and (getattr(exc, "name", None) or "").split(".")[0] in SPARK_MODULES:
        return (
            "%s is not installed for %s; install it with `%s -m pip install pyspark`, "
            "or deploy to a Spark platform target" % (exc.name.split(".")[0], sys.executable, sys.executable)
        )
    return None


def error_text(exc):
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def run_entry_point(entry, tokens, workdir, spec):
    saved_argv, saved_path, saved_cwd = sys.argv, list(sys.path), os.getcwd()
    saved_env = {k: os.environ.get(k) for k in ("KINDLING_RUN_TAG", "KINDLING_APP_DIR")}
    init_globals = main_namespace_utils()
    sys.argv = [entry] + list(tokens)
    sys.path.insert(0, workdir)
    os.environ["KINDLING_RUN_TAG"] = spec.run_tag
    os.environ["KINDLING_APP_DIR"] = workdir
    os.chdir(workdir)
    box = ResultBox()
    helper = result_module(box)
    saved_modules = {k: sys.modules.get(k) for k in ("kindling_runtime", "kindling")}
    sys.modules["kindling_runtime"] = helper
    if saved_modules["kindling"] is None and not module_exists("kindling"):
        # no Kindling framework installed: `import kindling; kindling.set_result(...)` works too
        sys.modules["kindling"] = helper
    log("running %s" % entry)
    try:
        # run_path sets sys.argv[0] to the path it is given: the entry point, relative to the cwd
        namespace = runpy.run_path(entry, init_globals=init_globals, run_name="__main__")
        box.offer_module_result(namespace)
        outcome = Outcome(0, box=box)
    except SystemExit as e:
        code = exit_code_of(e)
        outcome = Outcome(code, None if code == 0 else "SystemExit: %s" % e.code, box=box)
    except BaseException as e:
        tb = app_traceback(e, workdir)
        sys.stderr.write(tb)
        error = error_text(e)
        hint = missing_module_hint(e)
        if hint:
            log_error(hint)
            error = "%s (%s)" % (error, hint)
        outcome = Outcome(1, error, tb, box=box)
    finally:
        for k, v in saved_modules.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        sys.path[:] = saved_path
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return outcome


# --------------------------------------------------------------------------------------------
# Main


def shim_version():
    try:
        return sha256_file(os.path.abspath(__file__))[:12]
    except Exception:
        return "unknown"


def bootstrap(store, spec, tokens):
    staging = tempfile.mkdtemp(prefix="kindling-stage-")
    workdir = os.path.realpath(tempfile.mkdtemp(prefix="kindling-%s-" % spec.app))
    try:
        manifest = load_manifest(store, spec, staging)
        app_paths = materialise(store, manifest, workdir)
        log("release %s: %d file(s) verified" % (spec.release, len(app_paths)))
        wheels, links = collect_wheels(store, app_paths, workdir, staging)
        requirements = app_dependencies(workdir)
        if wheels or requirements:
            pip_install(wheels, links, requirements)
        return run_entry_point(manifest["entry_point"], tokens, workdir, spec)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)


def run(argv, tail):
    start = utc_now()
    tokens, config = parse_tokens(argv)
    try:
        spec = run_spec(config)
    except BootstrapError as e:
        log_error(str(e))
        return 1
    log(
        "bootstrap %s: app=%s release=%s run_tag=%s pid=%d python=%s"
        % (
            shim_version(),
            spec.app,
            spec.release,
            spec.run_tag,
            os.getpid(),
            sys.version.split()[0],
        )
    )
    keys = [k for k in config if k not in RESERVED_KEYS]
    log("parameters: %s" % (", ".join(keys) if keys else "(none)"))
    try:
        store = open_store(spec.root)
    except BootstrapError as e:
        log_error(str(e))
        return 1
    except Exception as e:
        log_error("cannot open the artifacts root: %s" % first_line(e))
        return 1
    log("storage: %s" % store.description)

    try:
        outcome = bootstrap(store, spec, tokens)
    except BootstrapError as e:
        log_error(str(e))
        outcome = Outcome(1, "BootstrapError: %s" % e)
    except Exception as e:  # a bug in the shim or an unexpected platform failure
        tb = traceback.format_exc()
        sys.stderr.write(tb)
        outcome = Outcome(1, error_text(e), tb)

    log("run %s: %s (exit code %d)" % (spec.run_tag, outcome.state, outcome.exit_code))
    result = collections.OrderedDict(
        [
            ("kindling_result", RESULT_VERSION),
            ("app", spec.app),
            ("release", spec.release),
            ("run_tag", spec.run_tag),
            ("state", outcome.state),
            ("exit_code", outcome.exit_code),
            ("start", start),
            ("end", utc_now()),
            ("error", outcome.error),
            ("traceback", outcome.traceback),
            ("output_tail", tail.snapshot()),
        ]
    )
    if outcome.box.has_value:
        result["result"] = outcome.box.value
    if outcome.box.error:
        result["result_error"] = outcome.box.error
    try:
        store.write_text(spec.result_path, json.dumps(result, indent=2) + "\n")
    except Exception as e:
        log_error("could not write %s: %s" % (spec.result_path, first_line(e)))
    return process_exit_code(outcome.exit_code)


def process_exit_code(code):
    """The app's exit code, or 1 where the OS would truncate it (sys.exit(256) must not pass)."""
    return code if 0 <= code <= 255 else 1


def main(argv):
    tail = OutputTail(TAIL_LINES)
    saved = sys.stdout, sys.stderr
    sys.stdout = TeeStream(saved[0], tail, "stdout")
    sys.stderr = TeeStream(saved[1], tail, "stderr")
    try:
        return run(argv, tail)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        sys.stdout, sys.stderr = saved


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
