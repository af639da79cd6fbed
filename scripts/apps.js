/** The apps of the monorepo, in start order (services before the gateway that calls them). */
module.exports.SERVICES = ['inventory', 'payments', 'notifications', 'orders'];
module.exports.APPS = [...module.exports.SERVICES, 'gateway'];
/** `system` runs all five apps in one process; `cli` is the operator CLI (`npm run cli`). */
module.exports.BUILD_TARGETS = [...module.exports.APPS, 'system', 'cli'];
