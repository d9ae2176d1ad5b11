"""One router module per resource; ``ardea.server.app`` mounts them under both prefixes."""
