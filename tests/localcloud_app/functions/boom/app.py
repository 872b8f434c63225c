class KaboomError(Exception):
    pass


def handler(event, context):
    if event["path"] == "/malformed":
        return "not a proxy response"
    raise KaboomError("the handler blew up on purpose")
