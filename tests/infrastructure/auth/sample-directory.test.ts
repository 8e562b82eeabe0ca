import { SampleDirectory } from '../../../src/infrastructure/auth/sample-directory.js';
import { describeDirectoryContract } from '../../contract/directory.contract.js';

describeDirectoryContract('SampleDirectory (local mode)', () =>
  Promise.resolve({ directory: new SampleDirectory(), close: () => Promise.resolve() }),
);
