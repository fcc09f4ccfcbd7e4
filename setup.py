"""Package discovery for the namespaced layout (metadata lives in pyproject.toml).

The top-level folders are stages mapped into one import namespace: ``gconstruct/`` is
``graphstorm_py.gconstruct`` and so on. Bare ``training``/``inference`` packages are never
installed, since those names collide with other PyPI packages.
"""

from setuptools import find_packages, setup

STAGES = {
    "graphstorm_py": "graphstorm_py",
    "graphstorm_py.gconstruct": "gconstruct",
    "graphstorm_py.training": "training",
    "graphstorm_py.inference": "inference",
    "graphstorm_py.deploy": "deploy",
}

packages, package_dir = [], {}
for name, folder in STAGES.items():
    package_dir[name] = folder
    packages.append(name)
    packages += [f"{name}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=package_dir)
