"""The package list for setuptools (everything else is in pyproject.toml): the code's packages, and
templates/ and migrations/ with their subfolders as sprint.templates and sprint.migrations (mapped to
the top-level folders in pyproject.toml's package-dir)."""

from setuptools import find_namespace_packages, setup

SKIP = ["*__pycache__*"]
MAPPED = {"sprint.templates": "templates", "sprint.migrations": "migrations"}

setup(
    packages=[
        *find_namespace_packages(include=["sprint*", "solver*"], exclude=SKIP),
        *(
            f"{package}{'.' + sub if sub else ''}"
            for package, folder in MAPPED.items()
            for sub in ["", *find_namespace_packages(where=folder, exclude=SKIP)]
        ),
    ]
)
