"""Opt-in for Python processes Rehearse does not start (AWS CLI v2, boto3 scripts).

    PYTHONPATH=<rehearse>/harness/runtime/bootstrap/host-prefix aws stepfunctions start-sync-execution ...

Python imports `sitecustomize` from the path at startup (https://docs.python.org/3/library/site.html),
so this needs no change to the client. It installs host_prefix_dns and then runs the
sitecustomize it shadows (Debian ships one in /usr/lib/python3.X), so nothing else changes.
"""
import importlib.machinery
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_load("_rehearse_host_prefix_dns", os.path.join(_HERE, "host_prefix_dns.py")).install()


def _run_shadowed_sitecustomize():
    others = [p for p in sys.path if os.path.realpath(p or os.curdir) != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_run_shadowed_sitecustomize()
del _run_shadowed_sitecustomize, _load
