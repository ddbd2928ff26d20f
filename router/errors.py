"""The one error tree of hotline-router.

Faults are exceptions; call outcomes (busy, no answer, abandon, after hours) are ordinary
events of the core and never appear here. Every adapter turns its library's exceptions into
one of these with ``raise ... from exc``, so nothing above an adapter sees redis, aiomqtt or
socket errors. The class names are part of the public API (logs, MQTT replies, exit codes).

    RouterError
    ├── ConfigError                 settings or catalogue invalid (file, key, reason)
    ├── AmiError
    │   ├── AmiLoginError           credentials refused: fatal, the service exits non-zero
    │   ├── AmiLinkLost             the link dropped while an action was pending
    │   ├── AmiTimeout              no response within the action's deadline
    │   ├── AmiActionFailed         Asterisk answered "Response: Error"
    │   ├── AmiParseError           an event lacks a header the router needs, or has a bad value
    │   └── AmiInjectionError       a header value would smuggle CR/LF into the frame
    ├── StoreError                  Redis unavailable or refused a write
    ├── BusError                    MQTT broker unavailable or refused a publish
    └── IllegalTransition           the call state machine refused an event
"""

from __future__ import annotations


class RouterError(Exception):
    """Base of every error hotline-router raises on purpose."""


class ConfigError(RouterError):
    """A configuration file is invalid.

    Attributes:
        file: the file that holds the problem.
        key: dotted path of the offending key ("" for the whole file).
        reason: what is wrong, in words an administrator can act on.
    """

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        super().__init__(f"{file}: {key or '<file>'}: {reason}")


class ConfigErrors(ConfigError):
    """Several problems found in one file; ``errors`` lists each of them."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.file, first.key, first.reason)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class AmiError(RouterError):
    """A fault talking to Asterisk's manager interface."""


class AmiLoginError(AmiError):
    """Asterisk refused the router's AMI credentials."""


class AmiLinkLost(AmiError):
    """The AMI link dropped; a pending action's outcome is unknown and is never replayed."""


class AmiTimeout(AmiError):
    """An AMI action got no response within its deadline."""


class AmiActionFailed(AmiError):
    """Asterisk answered an action with ``Response: Error``.

    Attributes:
        action: the AMI action name.
        message: Asterisk's ``Message`` header.
    """

    def __init__(self, action: str, message: str) -> None:
        self.action = action
        self.message = message
        super().__init__(f"{action}: {message}")


class AmiParseError(AmiError):
    """An AMI event lacks a required header or carries a value out of its domain."""


class AmiInjectionError(AmiError):
    """A header name or value contains CR or LF and would inject AMI headers."""


class StoreError(RouterError):
    """Redis could not be reached or refused an operation."""


class BusError(RouterError):
    """The MQTT broker could not be reached or refused a publish."""


class IllegalTransition(RouterError):
    """The call state machine has no transition for this event in this state.

    The call's state is left exactly as it was.
    """

    def __init__(self, state: str, event: str) -> None:
        self.state = state
        self.event = event
        super().__init__(f"no transition from {state} on {event}")
