"""The web interface: thin views that parse, call one selector or service, and render."""
