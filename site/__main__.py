"""Management commands for an installed site, where there is no manage.py.

`python -m config migrate`, or the console script the wheel installs: `ondernemen migrate`.
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if os.path.basename(argv[0]) == "__main__.py":
        argv[0] = "python -m config"  # how help and errors name the program
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
