"""Gunicorn's settings for Polity: `gunicorn -c config/gunicorn.py` (docs/deployment.md).

Every value can be changed from the environment: PORT or GUNICORN_BIND, WEB_CONCURRENCY (processes),
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_KEEPALIVE. The access log names the method, the path without its query string
(searches carry names), the status, the size and the time: no address, no query, no referrer.
"""

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
# Idle keep-alive connections stay open this long. Behind a proxy that reuses its upstream connections it
# must outlast the proxy's own idle timeout (often 60 s), or a request races the close and fails.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Behind a TLS-terminating proxy on another address, list it here so X-Forwarded-* is believed.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
