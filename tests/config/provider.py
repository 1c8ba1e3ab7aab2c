"""A stand-in for an SMS provider's backend in the deploy check test: it is not for development only."""


class Provider:
    def send(self, *, channel: str, address: str, subject: str, body: str) -> None:
        raise NotImplementedError("only named in MESSAGE_BACKEND, never called")
