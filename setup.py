"""The packages, for setuptools (the rest of the build is in pyproject.toml): every package
under assistant/, and the checkout's prompts/ as ``assistant.prompt_templates``, so that an
installed wheel carries the prompt templates (``paths.PROMPTS_DIR`` finds them there)."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["assistant*"]), "assistant.prompt_templates"],
    package_dir={"assistant.prompt_templates": "prompts"},
)
