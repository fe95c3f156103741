// Only harness/core may read time or randomness: virtual time and deterministic
// replays depend on one Clock and one seeded id source (see ../shared/DESIGN.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const timeAndRandomness = {
  'no-restricted-globals': ['error',
    { name: 'setTimeout', message: 'Use the Clock from harness/core.' },
    { name: 'setInterval', message: 'Use the Clock from harness/core.' },
    { name: 'setImmediate', message: 'Use the Clock from harness/core.' },
  ],
  'no-restricted-properties': ['error',
    { object: 'Date', property: 'now', message: 'Use clock.now() from harness/core.' },
    { object: 'Math', property: 'random', message: 'Use the IdSource from harness/core.' },
    { object: 'crypto', property: 'randomUUID', message: 'Use the IdSource from harness/core.' },
  ],
  'no-restricted-syntax': ['error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use clock.now() from harness/core.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '**/fixtures/**', 'harness/runtime/bootstrap/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['harness/**/*.ts'], ignores: ['harness/core/**'], rules: timeAndRandomness },
);
