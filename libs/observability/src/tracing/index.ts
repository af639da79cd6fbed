/** The tracing entry point, light enough to import before anything else: `import '@app/observability/tracing'`. */
export * from './start-tracing';
export * from './tracer';
export * from './trace-context';
