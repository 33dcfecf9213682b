"""The ingest process (`huying ingest`): three doors (HJ 212 over TCP, MQTT, HTTP) feeding one
pipeline that stores readings in batches, acknowledges them, then evaluates the rules."""
