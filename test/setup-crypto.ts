/**
 * Test set-up (vitest setupFiles): the crypto provider of every card the tests create.
 * Default pure; CARDFORGE_CRYPTO=node runs the same suites on the Node provider (issue 20), e.g.
 * `CARDFORGE_CRYPTO=node npx vitest run test/golden test/fuzz test/applets`.
 */
import { installCryptoFromEnv } from '../host/crypto/node-provider.js';

installCryptoFromEnv(process.env, 'pure');
