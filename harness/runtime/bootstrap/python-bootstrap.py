#!/usr/bin/python3
"""Rehearse's Python runtime client: one execution environment's main loop.

Plain Python (run by Debian's /usr/bin/python3, which has boto3 and Pillow)
so it works outside the harness. Speaks the Lambda Runtime API at
http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/... and mirrors AWS's Python
runtime: `module.function` handlers (folders as `pkg/mod.fn`), the
`{errorMessage, errorType, requestId, stackTrace}` error document, the
`context` object, the `[LEVEL]\t<time>\t<requestId>\t<message>` logging
format, and the init errors Runtime.ImportModuleError,
Runtime.HandlerNotFound and Runtime.UserCodeSyntaxError.
"""
import http.client
import importlib
import importlib.abc
import importlib.util
import json
import logging
import os
import sys
import time
import traceback

RUNTIME_API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "")
_slash = RUNTIME_API.find("/")
HOST_PORT = RUNTIME_API[:_slash] if _slash >= 0 else RUNTIME_API
PREFIX = RUNTIME_API[_slash:] if _slash >= 0 else ""
BASE = PREFIX + "/2018-06-01/runtime"

_conn = None


def call(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        if _conn is None:
            _conn = http.client.HTTPConnection(HOST_PORT)
        try:
            hdrs = dict(headers or {})
            data = None
            if body is not None:
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                hdrs["Content-Type"] = "application/json"
            _conn.request(method, path, body=data, headers=hdrs)
            res = _conn.getresponse()
            payload = res.read()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, payload
        except (ConnectionError, http.client.HTTPException, OSError):
            # A kept-alive connection the endpoint closed: retry once on a new one.
            _conn = None
            if attempt == 1:
                raise


# ------------------------------------------------------------- AWS_ENDPOINT_URL
# botocore < 1.31 ignores AWS_ENDPOINT_URL; Debian's may be that old. Teach it,
# so handlers' unmodified boto3 clients reach the active backend.
class _EndpointUrlPatch(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != "botocore.session":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            pass
        if spec is None or spec.loader is None:
            return spec
        original_exec = spec.loader.exec_module

        def exec_module(module):
            original_exec(module)
            _patch_botocore_session(module)

        spec.loader.exec_module = exec_module
        return spec


def _version_tuple(text):
    parts = []
    for p in text.split(".")[:3]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _patch_botocore_session(module):
    try:
        import botocore

        if _version_tuple(botocore.__version__) >= (1, 31, 0):
            return
    except Exception:
        return
    original = module.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        # endpoint_url is the 6th positional parameter of create_client.
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            env_name = "AWS_ENDPOINT_URL_" + str(service_name).upper().replace("-", "_").replace(" ", "_")
            url = os.environ.get(env_name) or os.environ.get("AWS_ENDPOINT_URL")
            if url:
                kwargs["endpoint_url"] = url
        return original(self, service_name, *args, **kwargs)

    module.Session.create_client = create_client


if os.environ.get("AWS_ENDPOINT_URL"):
    sys.meta_path.insert(0, _EndpointUrlPatch())


# ------------------------------------------------------------------ host prefixes
# botocore sends StartSyncExecution/TestState to `sync-<endpoint host>`, which has
# no DNS entry for 127.0.0.1/localhost: resolve it like the bare host (see the module).
def _install_host_prefix_dns():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "host-prefix", "host_prefix_dns.py")
    spec = importlib.util.spec_from_file_location("_rehearse_host_prefix_dns", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()


_install_host_prefix_dns()


# ---------------------------------------------------------------------- logging
_current_request_id = None


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id or "undefined"
        return True


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)


# ---------------------------------------------------------------------- context
class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        cc = headers.get("lambda-runtime-client-context")
        if cc:
            try:
                self.client_context = json.loads(cc)
            except ValueError:
                self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


# ------------------------------------------------------------------ error shape
def _error_document(exc, request_id=None, skip_frames=0):
    tb = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    doc = {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id or "",
        "stackTrace": traceback.format_list(tb),
    }
    return doc


def _init_error(error_type, message):
    doc = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
    print("[ERROR] %s: %s" % (error_type, message), flush=True)
    try:
        call("POST", BASE + "/init/error", json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": error_type})
    finally:
        sys.exit(129)


def _missing_module_hint(e, task_root):
    """After AWS's message: which function, which file imports the missing module, and where it should come from."""
    missing = (e.name or "").split(".")[0]
    if not missing or e.name == os.environ.get("_HANDLER", "").rsplit(".", 1)[0].replace("/", "."):
        return ""  # the handler module itself is missing: AWS's message says it all
    importer = None
    for frame in traceback.extract_tb(e.__traceback__):
        if not frame.filename.startswith("<"):
            importer = frame.filename
    where = (" in %s" % importer) if importer else ""
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
    requirements = os.path.join(task_root, "requirements.txt")
    if os.path.exists(requirements):
        source = ("%s lists the function's dependencies: rehearse installs it at deploy when pip is available "
                  "for %s (see the deploy log), else put %s in the code folder or a layer's python/ folder" % (requirements, sys.executable, missing))
    else:
        source = ("no requirements.txt in %s: list %s in one there (rehearse installs it with pip at deploy), "
                  "or put it in the code folder or a layer's python/ folder" % (task_root, missing))
    return " (function %s imports %s%s; %s)" % (function, missing, where, source)


def _layer_site_dirs():
    """Layers' python/lib/python3.x/site-packages are site directories on Lambda: their .pth files count."""
    import site

    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry.endswith("site-packages") and os.path.isdir(entry):
            site.addsitedir(entry)


def _load_handler(task_root, handler):
    try:
        module_path, function_name = handler.rsplit(".", 1)
    except ValueError:
        _init_error("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % handler)
    module_name = module_path.replace("/", ".")
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    _layer_site_dirs()
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        _init_error("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e))
    except ModuleNotFoundError as e:
        _init_error("Runtime.ImportModuleError", "Unable to import module '%s': %s%s" % (module_name, e, _missing_module_hint(e, task_root)))
    except ImportError as e:
        _init_error("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except Exception as e:  # an exception raised while the module initialises
        doc = _error_document(e)
        print("[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"]), flush=True)
        call("POST", BASE + "/init/error", json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": doc["errorType"]})
        sys.exit(129)
    fn = getattr(module, function_name, None)
    if fn is None:
        _init_error("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return fn


def main():
    global _current_request_id
    _setup_logging()
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    handler = _load_handler(task_root, os.environ.get("_HANDLER", ""))
    while True:
        try:
            status, headers, body = call("GET", BASE + "/invocation/next")
        except Exception:
            sys.exit(0)  # the endpoint is gone
        if status != 200:
            sys.exit(0)
        request_id = headers.get("lambda-runtime-aws-request-id")
        _current_request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
        try:
            event = json.loads(body) if body else {}
        except ValueError as e:
            doc = {"errorMessage": "Unable to unmarshal input: %s" % e, "errorType": "Runtime.UnmarshalError", "requestId": request_id, "stackTrace": []}
            call("POST", BASE + "/invocation/%s/error" % request_id, json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": doc["errorType"]})
            continue
        context = LambdaContext(headers)
        try:
            result = handler(event, context)
            try:
                payload = json.dumps(result)
            except (TypeError, ValueError) as e:
                doc = {"errorMessage": "Unable to marshal response: %s" % e, "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
                print("[ERROR] Runtime.MarshalError: %s" % doc["errorMessage"], flush=True)
                call("POST", BASE + "/invocation/%s/error" % request_id, json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": doc["errorType"]})
                continue
            call("POST", BASE + "/invocation/%s/response" % request_id, payload)
        except Exception as e:
            # Skip this bootstrap's own frame, as AWS's trace starts at the handler.
            doc = _error_document(e, request_id, skip_frames=1)
            sys.stdout.write("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (doc["errorType"], doc["errorMessage"], "".join(doc["stackTrace"])))
            sys.stdout.flush()
            call("POST", BASE + "/invocation/%s/error" % request_id, json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": doc["errorType"]})


if __name__ == "__main__":
    main()
