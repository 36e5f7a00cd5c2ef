"""The bundled demo: a fictional company's configuration and a sample signal stream."""
