"""HWC Spoke: offline-first teleconsultation client for Health & Wellness Centres."""

__version__ = "0.1.0"
