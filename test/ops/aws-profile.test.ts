/** What the AWS commands say when AWS_PROFILE names no profile (lib/ops/aws.ts). */
import { missingProfile, profilesIn } from '../../lib/ops/aws';

const files: Record<string, string> = {
  '/h/.aws/config': '[default]\nregion = us-east-1\n[profile poco-prod]\nsso_start_url = https://x\n',
  '/h/.aws/credentials': '[ci]\naws_access_key_id = AKIA\n',
};
const read = (file: string): string | undefined => files[file];

test('the profiles of a config file and a credentials file', () => {
  expect(profilesIn(files['/h/.aws/config'])).toEqual(['default', 'poco-prod']);
  expect(profilesIn(files['/h/.aws/credentials'])).toEqual(['ci']);
});

test('a profile that no file defines is named, with the ones that exist', () => {
  expect(missingProfile({ HOME: '/h', AWS_PROFILE: 'nonexistent' }, read)).toBe(
    'AWS_PROFILE is "nonexistent", but no profile of that name is in /h/.aws/config or /h/.aws/credentials. Fix: set AWS_PROFILE to one of the profiles there (default, poco-prod, ci).',
  );
});

test('no files at all: how to create a profile', () => {
  expect(missingProfile({ HOME: '/none', AWS_PROFILE: 'x' }, read)).toBe(
    'AWS_PROFILE is "x", but no profile of that name is in /none/.aws/config or /none/.aws/credentials. Fix: set AWS_PROFILE to a profile you create with "aws configure --profile NAME" or "aws configure sso".',
  );
});

test('a profile that exists, or no AWS_PROFILE: nothing to say (the usual credentials message stands)', () => {
  expect(missingProfile({ HOME: '/h', AWS_PROFILE: 'poco-prod' }, read)).toBeUndefined();
  expect(missingProfile({ HOME: '/h', AWS_PROFILE: 'ci' }, read)).toBeUndefined();
  expect(missingProfile({ HOME: '/h' }, read)).toBeUndefined();
});

test('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are where the files are read', () => {
  const env = { HOME: '/none', AWS_PROFILE: 'ci', AWS_CONFIG_FILE: '/h/.aws/config', AWS_SHARED_CREDENTIALS_FILE: '/h/.aws/credentials' };
  expect(missingProfile(env, read)).toBeUndefined();
});
