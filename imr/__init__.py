"""imr-etl core: Prefect-free models, extraction, settings and the ``imr`` CLI.

Nothing in this package imports Prefect or Great Expectations at module level, so
``imr extract`` starts fast and the parsing code can be reused without a server.
"""

__version__ = "0.1.0"
