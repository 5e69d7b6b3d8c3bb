"""The cases here are content, not tests: pytest must not collect them, nor follow the symbolic
links some of them hold (one points at ../../, which would lead it back into tests/)."""

collect_ignore_glob = ["*"]
