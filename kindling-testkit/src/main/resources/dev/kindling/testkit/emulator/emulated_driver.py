"""The emulated Spark driver of the Kindling cloud emulators.

Usage: python emulated_driver.py KIND REMOTE_ROOT LOCAL_DIR ACCESS_LOG SHIM [SHIM ARGS...]

Runs the Kindling bootstrap shim (or any main Python file) as a platform's driver would, with a
stand-in for the platform's storage utilities: KIND is "mssparkutils" (Fabric, Synapse),
"dbutils" (Databricks) or "none". Paths under REMOTE_ROOT (an abfss:// or dbfs: URL) map to
LOCAL_DIR, the emulator's storage. The stand-in is injected as __main__.KIND, like the platforms
do, and appends "<op> <remote path>" to ACCESS_LOG ("-": no log) for every remote path it
touches. Like the real utilities, it reads a path without a scheme as a remote path.
"""

import os
import runpy
import shutil
import sys


class MsFileInfo(object):
    def __init__(self, name, path, size, is_dir):
        self.name = name
        self.path = path
        self.size = size
        self.isDir = is_dir
        self.isFile = not is_dir


class DbFileInfo(object):
    def __init__(self, name, path, size, is_dir):
        self.name = name + "/" if is_dir else name
        self.path = path + "/" if is_dir else path
        self.size = size
        self.modificationTime = 0
        self._is_dir = is_dir

    def isDir(self):
        return self._is_dir

    def isFile(self):
        return not self._is_dir


class FakeFs(object):
    def __init__(self, kind, remote_root, local_dir, access_log):
        self.kind = kind
        self.remote_root = remote_root.rstrip("/")
        self.local_dir = local_dir
        self.access_log = access_log
        if kind == "mssparkutils":
            self.exists = self._exists  # dbutils.fs has no exists()

    def _local(self, path, op):
        if path.startswith("file:"):
            return path[len("file:"):]
        if path == self.remote_root or path.startswith(self.remote_root + "/"):
            if self.access_log != "-":
                with open(self.access_log, "a") as f:
                    f.write("%s %s\n" % (op, path))
            rest = path[len(self.remote_root):].strip("/")
            return os.path.join(self.local_dir, *rest.split("/")) if rest else self.local_dir
        raise IOError("java.io.IOException: no file system for path " + path)

    def cp(self, src, dst, recurse=False):
        s = self._local(src, "cp")
        d = self._local(dst, "cp-to")
        if not os.path.isfile(s):
            raise IOError("java.io.FileNotFoundException: " + src)
        if not os.path.isdir(os.path.dirname(d)):
            os.makedirs(os.path.dirname(d))
        shutil.copyfile(s, d)
        return True

    def ls(self, path):
        local = self._local(path, "ls")
        if not os.path.isdir(local):
            raise IOError("java.io.FileNotFoundException: " + path)
        info = MsFileInfo if self.kind == "mssparkutils" else DbFileInfo
        out = []
        for name in sorted(os.listdir(local)):
            full = os.path.join(local, name)
            is_dir = os.path.isdir(full)
            size = 0 if is_dir else os.path.getsize(full)
            out.append(info(name, path.rstrip("/") + "/" + name, size, is_dir))
        return out

    def put(self, path, contents, overwrite=False):
        local = self._local(path, "put")
        if os.path.exists(local) and not overwrite:
            raise IOError("java.io.IOException: file exists " + path)
        if not os.path.isdir(os.path.dirname(local)):
            os.makedirs(os.path.dirname(local))
        with open(local, "w", encoding="utf-8") as f:
            f.write(contents)
        return True

    def head(self, path, maxBytes=65536):
        local = self._local(path, "head")
        with open(local, "rb") as f:
            return f.read(maxBytes).decode("utf-8")

    def _exists(self, path):
        return os.path.exists(self._local(path, "exists"))


class FakeUtils(object):
    def __init__(self, fs):
        self.fs = fs


def main():
    kind, remote_root, local_dir, access_log, shim = sys.argv[1:6]
    init = {}
    if kind != "none":
        init[kind] = FakeUtils(FakeFs(kind, remote_root, local_dir, access_log))
    sys.argv = [shim] + sys.argv[6:]
    runpy.run_path(shim, init_globals=init, run_name="__main__")


if __name__ == "__main__":
    main()
