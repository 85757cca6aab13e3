"""The command line's commands without a window (``main.py`` parses the arguments and wires
the app, the demo and the hub; these run the rest)."""
