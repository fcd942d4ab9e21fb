// Starts s3rver on a port the OS picks, with one bucket "pods", storing in
// the directory given as argv[2]; prints "s3rver listening on HOST:PORT".
import S3rver from 's3rver';

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: process.argv[2],
  silent: true,
  configureBuckets: [{ name: 'pods', configs: [] }],
});
const { address, port } = await server.run();
console.log(`s3rver listening on ${address}:${port}`);
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});
