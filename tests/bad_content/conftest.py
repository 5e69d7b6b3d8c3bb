"""The cases here are content, not tests: pytest must not collect them, nor look inside them (their
symbolic links are made in a copy by the test: see symlinks.txt)."""

collect_ignore_glob = ["*"]
