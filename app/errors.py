"""The one exception type whose message is meant for the user.

Anything raised as `UserError` is shown as-is (one line on stderr with exit code 2 on the command
line, a message at the field or in a dialog in the GUI). Its message names the field or file and
the rule that was broken. Any other exception is a bug and is reported as such, without a
traceback reaching the user.
"""


class UserError(Exception):
    """Bad input from a user or a file; the message says which field and which rule."""

    exit_code = 2
