"""Channels: adapters between a messaging surface and the engine."""
