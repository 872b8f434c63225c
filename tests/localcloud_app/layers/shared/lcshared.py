"""The test application's layer: defined in the root stack, used by functions of nested stacks."""

MESSAGE = "from the root layer"
