// esbuild bundles imported CSS into media/dist/<page>.css; TypeScript only needs to accept the import.
declare module '*.css';
