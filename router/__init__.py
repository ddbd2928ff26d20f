"""hotline-router: a 12345 hotline's enterprise line on Asterisk, through AMI."""

__all__ = ["__version__"]

__version__ = "0.1.0"
