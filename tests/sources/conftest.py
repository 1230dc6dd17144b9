from tests.ops.conftest import http_server  # noqa: F401 - the fake scrapyd of test_user_sources
