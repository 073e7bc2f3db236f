"""The exit statuses every command and the window share (0 done, 1 failed, 2 bad input)."""

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
