"""One package per messenger (telegram/, wecom/): each turns its messenger's updates into the core's calls (bot/)
and the core's replies into its messages. main.py is the `talkledger` entry point."""
