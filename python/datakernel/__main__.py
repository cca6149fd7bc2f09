"""``python -m datakernel ...``: runs the ``datakernel`` command installed beside this Python."""
import os
import shutil
import sys
import sysconfig


def main() -> None:
    name = "datakernel"
    command = os.path.join(sysconfig.get_path("scripts"), name)
    if not os.access(command, os.X_OK):
        command = shutil.which(name)
    if command is None:
        sys.exit("datakernel: the command line program is not installed beside this Python (pip install datakernel)")
    os.execv(command, [command] + sys.argv[1:])


if __name__ == "__main__":
    main()
