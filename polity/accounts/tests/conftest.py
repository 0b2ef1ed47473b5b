from polity.web.tests.conftest import login, verified_device  # noqa: F401
