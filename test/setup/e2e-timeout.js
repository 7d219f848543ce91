// End-to-end tests bring up namespaced machines and real LXD daemons: allow them minutes, not
// jest's 5 s default. (testTimeout is a global option; set per project here instead.)
jest.setTimeout(600_000);
