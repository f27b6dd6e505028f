"""The HTTP edge of the mock: decoding parameters, rendering bodies, errors."""
