"""The process newsbot runs in: its garbage-collector policy, worker processes and log formatting."""
