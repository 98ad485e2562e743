"""matchweek: an open Match Week clearinghouse (Main Match and SOAP)."""

__version__ = "0.1.0"
