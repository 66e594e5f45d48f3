"""Environment variables through which the page tests hand their database to tests/web/dashboard_main.py."""

DATABASE_URL_ENV = "SHOPFLOW_WEB_TEST_DATABASE_URL"
DATA_DIR_ENV = "SHOPFLOW_WEB_TEST_DATA_DIR"
