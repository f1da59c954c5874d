"""Generated on the host by the build; never copied to the editor's machine."""


def build_id():
    """The build that produced this tree."""
    return "build-42"
