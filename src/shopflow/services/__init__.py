"""Services: every business rule once, called alike by the API, the dashboard and the CLI.

A service takes the database (and, where a change must reach the running cameras, a callback) and opens its own
short session per call; the doors only translate requests and forms into calls and results into answers.
"""
