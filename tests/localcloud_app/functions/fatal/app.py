class FatalError(Exception):
    pass


def handler(event, context):
    raise FatalError("this cannot be retried")
