"""Plans: the desired and live resources, the pure diff between them, and renderers. No I/O here."""
