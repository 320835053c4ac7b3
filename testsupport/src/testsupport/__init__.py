"""What the test suites and the benchmarks share: server processes on free ports of
127.0.0.1 and waiting for them, temporary PostgreSQL databases, and SSE parsing."""
