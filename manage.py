#!/usr/bin/env python
import sys

from civiclab.cli import manage

if __name__ == "__main__":
    manage(sys.argv[1:])
