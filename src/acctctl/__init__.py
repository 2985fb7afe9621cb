"""acctctl: see a subscription account's contracts and move them to another partner."""

__version__ = "0.1.0"
