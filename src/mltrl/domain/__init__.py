"""The MLTRL domain: value types and the lifecycle rules, pure and I/O-free."""
