"""Sensing (感知): devices, the three ingest doors (HJ 212 over TCP, MQTT, HTTP), rules, alarms
and video-analytics events. Alarms that need people become calls through calls.creation."""
