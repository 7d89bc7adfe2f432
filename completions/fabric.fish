# fish completion for fabric(1), the wrapper: groups, commands, options in the specification's
# spelling (--number_machines) and dashed (--number-machines), provider ids and machine uuids
# from the state store, files, and the keys of --image, --flavor and --extra. `fabric NAME ...`
# is completed as fabric-NAME. Install in a fish completions directory (make install puts it in
# share/fish/vendor_completions.d).

# --- reading the store (no jq: fabric's own compact JSON lines) ---

function __fabric_json_field -a field -d 'the string field of each JSON line on stdin'
    while read -l line
        set -l match (string match -r -- '"'$field'":"((?:[^"\\\\]|\\\\.)*)"' $line)
        set -q match[2]; or continue
        string replace -ra -- '\\\\(.)' '$1' $match[2]
    end
end

function __fabric_store -d 'fabric-store with the --store of the command line, if it exists'
    set -l tokens (commandline -opc)
    set -l store
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --store
                set -l next (math $i + 1)
                set -q tokens[$next]; and set store --store $tokens[$next]
            case '--store=*'
                set store --store (string replace -- --store= '' $tokens[$i])
        end
    end
    set -l tool
    if command -q fabric-store
        set tool fabric-store
    else if command -q fabric
        set tool fabric store
    else
        return
    end
    # Never create a store by pressing TAB: only read one that exists.
    set -l store_path ($tool path $store 2>/dev/null)
    test -f "$store_path"; or return
    $tool $argv[1] $store $argv[2..-1] 2>/dev/null
end

function __fabric_providers -d 'registered provider ids'
    __fabric_store list providers | __fabric_json_field provider_id
end

# --- the wrapper's command line ---

# The words after `fabric` and its leading --json/--table.
function __fabric_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]; and contains -- $tokens[1] --json --table --verbose
        set -e tokens[1]
    end
    string join \n -- $tokens
end

function __fabric_needs_group
    set -l words (__fabric_words)
    not set -q words[1]
end

# True when the line is `fabric GROUP [COMMAND]`, and no command is typed yet when COMMAND is
# not given.
function __fabric_using -a group command
    set -l words (__fabric_words)
    test "$words[1]" = "$group"; or return 1
    if test -z "$command"
        not set -q words[2]
    else
        test "$words[2]" = "$command"
    end
end

# The positional arguments after `fabric GROUP COMMAND`, one per line.
function __fabric_args
    set -l words (__fabric_words)
    set -e words[1..2]
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '--*=*'
            case '-*'
                contains -- $word $__fabric_valued; and set skip 1
            case '*'
                echo $word
        end
    end
end

# True when the token being completed is positional argument N of `fabric GROUP COMMAND`.
function __fabric_arg -a group command n
    __fabric_using $group $command; or return 1
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $__fabric_valued; and return 1
    test (count (__fabric_args)) -eq (math $n - 1)
end

function __fabric_machine_uuids -d 'machine uuids of the provider given as the first argument'
    set -l args (__fabric_args)
    set -q args[1]; or return
    __fabric_store list machines -p $args[1] | __fabric_json_field uuid
end

# fabric NAME runs fabric-NAME: complete it as that tool.
function __fabric_delegating
    set -l words (__fabric_words)
    set -q words[1]; or return 1
    not contains -- $words[1] $__fabric_groups help version
end

function __fabric_delegate
    set -l words (__fabric_words)
    set words[1] fabric-$words[1]
    complete -C (string join ' ' -- (string escape -- $words) (commandline -ct))
end

function __fabric_tools -d 'fabric-* programs on PATH'
    for name in (complete -C fabric- | string replace -r '\t.*' '' | string match -r '^fabric-[^.]+$')
        set name (string replace fabric- '' $name)
        contains -- $name $__fabric_groups help version; or echo $name
    end
end

# Registers an option of `fabric GROUP COMMAND` in the specification's spelling and, when that
# differs, dashed: __fabric_option GROUP COMMAND NAME DESCRIPTION [complete's value options...]
function __fabric_option -a group command name description
    set -l names $name (string replace -a _ - -- $name)
    for spelling in (printf '%s\n' $names | sort -u)
        complete -c fabric -n "__fabric_using $group $command" -l $spelling -d $description $argv[5..-1]
    end
end

complete -c fabric -f

# --- groups and global options ---

complete -c fabric -n __fabric_needs_group -l json -d 'print JSON lines'
complete -c fabric -n __fabric_needs_group -l verbose -d 'trace HTTP requests on stderr'
complete -c fabric -n __fabric_needs_group -l table -d 'print an aligned table'
complete -c fabric -n __fabric_needs_group -s h -l help -d 'show the commands and options'
complete -c fabric -n __fabric_needs_group -l version -d 'show the version'
complete -c fabric -n __fabric_needs_group -a help -d 'show the commands and options'
complete -c fabric -n __fabric_needs_group -a version -d 'show the version'
complete -c fabric -n __fabric_needs_group -a '(__fabric_tools)' -d 'fabric tool'
complete -c fabric -n __fabric_delegating -a '(__fabric_delegate)'

# --- generated by completions/regenerate from fabric __commands and the tools: do not edit ---
set -g __fabric_groups provider machine snapshot job

complete -c fabric -n __fabric_needs_group -a provider -d 'Register, unregister and list providers.'
complete -c fabric -n __fabric_needs_group -a machine -d 'Create, destroy, wait for, list and scale machines.'
complete -c fabric -n __fabric_needs_group -a snapshot -d 'Create and destroy snapshots.'
complete -c fabric -n __fabric_needs_group -a job -d 'Follow the background jobs of --synchronous=false.'
complete -c fabric -n '__fabric_using provider' -a register -d 'Register a provider.'
complete -c fabric -n '__fabric_using provider' -a unregister -d 'Remove a provider.'
complete -c fabric -n '__fabric_using provider' -a list -d 'List the providers.'
complete -c fabric -n '__fabric_using machine' -a create -d 'Create machines.'
complete -c fabric -n '__fabric_using machine' -a destroy -d 'Destroy machines and their snapshots.'
complete -c fabric -n '__fabric_using machine' -a wait -d 'Wait until machines are ready.'
complete -c fabric -n '__fabric_using machine' -a list -d 'List the machines of a provider.'
complete -c fabric -n '__fabric_using machine' -a scale -d 'Grow or shrink a named group to N machines.'
complete -c fabric -n '__fabric_using machine' -a refresh -d 'Roll a group to new options (a new golden image): new members before old, replicas first, the primary last.'
complete -c fabric -n '__fabric_using machine' -a protect -d 'Protect machines from machine scale.'
complete -c fabric -n '__fabric_using machine' -a unprotect -d 'Let machine scale destroy machines again.'
complete -c fabric -n '__fabric_using snapshot' -a create -d 'Snapshot a machine.'
complete -c fabric -n '__fabric_using snapshot' -a destroy -d 'Destroy the snapshots of a machine.'
complete -c fabric -n '__fabric_using job' -a list -d 'List the background jobs.'
complete -c fabric -n '__fabric_using job' -a show -d 'Show a job, its command\'s output and stderr.'
complete -c fabric -n '__fabric_using job' -a wait -d 'Wait until a job ends, and exit as its command did.'
complete -c fabric -n '__fabric_using job' -a cancel -d 'Stop a running job; its command removes what it made.'

# The options that take a value, in both spellings.
set -g __fabric_valued --address --availability-zone --availability-zones --availability_zone --availability_zones --before-destroy --before_destroy --block-device --block_device --default-flavor --default-image --default_flavor --default_image --events --extra --file --files --flavor --group --hook-timeout --hook_timeout --image --key-name --key_name --max-per-host --max_per_host --meta --mysql-password-file --mysql-user --mysql_password_file --mysql_user --name --number-machines --number_machines --on-ready --on_ready --password-env --password-file --password_env --password_file --pause-after --pause_after --private-network --private-nics --private_network --private_nics --provider-id --provider-type --provider_id --provider_type --public-network --public-nics --public_network --public_nics --ready --scheduler-hints --scheduler_hints --security-groups --security_groups --spread --state --store --store-password-file --store_password_file --surge --swap --switchover --synchronous --timeout --to --until --userdata

complete -c fabric -n '__fabric_arg provider unregister 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine create 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine destroy 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine destroy 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg machine wait 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine wait 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg machine list 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine scale 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine refresh 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine protect 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine protect 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg machine unprotect 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine unprotect 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg snapshot create 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg snapshot create 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg snapshot destroy 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg snapshot destroy 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'

__fabric_option provider register provider_type 'The kind of cloud, by default OPENSTACK' -x -a 'OPENSTACK openstack AMAZON amazon ec2 NULLPROVIDER null'
__fabric_option provider register default_image 'The image booted when machine create gets no --image.' -x
__fabric_option provider register default_flavor 'The flavor used when machine create gets no --flavor.' -x
__fabric_option provider register extra 'A setting of the provider type' -x -a 'region= interface= user_domain= project_domain= auth_type= cacert= insecure= timeout= connect_timeout= compute_microversion= delete_timeout= network= config_drive= ready= catalog_ttl= image_owners= snapshot_reboot= max_attempts= build_seconds= snapshot_seconds= latency_ms= fail_create= fail_machine= fail_snapshot= fail_public_address= fail_destroy= availability_zones= hosts= server_group_members= spread_race= quota= cloud_init_seconds= fail_cloud_init= service_seconds= address_pool= execute_userdata= machines_dir='
__fabric_option provider register password-file 'Read the password from this file\'s first line (with 4 arguments).' -r -F
__fabric_option provider register password-stdin 'Read the password from standard input (with 4 arguments).'
__fabric_option provider register password-env 'Take the password from this environment variable (with 4 arguments)' -x -a '(set -nx)'
__fabric_option provider register from-env 'Take the URL, user, password, tenant and settings from the OS_* variables of a sourced openrc file'
__fabric_option provider register store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option provider register store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option provider register json 'Print JSON lines'
__fabric_option provider register table 'Print an aligned table'
__fabric_option provider register synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option provider unregister force 'Unregister although the cloud still holds machines fabric made for the provider, and say which stay.'
__fabric_option provider unregister store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option provider unregister store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option provider unregister json 'Print JSON lines'
__fabric_option provider unregister table 'Print an aligned table'
__fabric_option provider unregister synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option provider list provider_id 'Only this provider.' -x -a '(__fabric_providers)'
__fabric_option provider list store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option provider list store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option provider list json 'Print JSON lines'
__fabric_option provider list table 'Print an aligned table'
__fabric_option provider list synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine create image 'An image property to match (name, id, min_disk, min_ram, ...)' -x -a 'name= id= min_disk= min_ram= mindisk= minram= status= visibility= image_type= os_distro= os_version= mysql_version= fabric_machine_uuid='
__fabric_option machine create flavor 'A flavor property to match (name, id, vcpus, ram, disk, swap)' -x -a 'name= id= vcpus= ram= disk= swap= ephemeral= rxtx_factor='
__fabric_option machine create availability_zone 'The availability zone.' -x
__fabric_option machine create spread 'Spread the group\'s members across failure domains: host (each on a host of its own, or the create fails), soft (on different hosts as far as the cloud can), zone (round-robin over --availability_zones) or none.' -x
__fabric_option machine create max_per_host 'With --spread host: how many members one host may hold (default 1), as Nova\'s max_server_per_host rule (compute API 2.64).' -x
__fabric_option machine create availability_zones 'With --spread zone: the zones, comma-separated (on EC2, with --private_network\'s subnets, one per zone, or each zone\'s default subnet).' -x
__fabric_option machine create key_name 'A key pair stored in the cloud, for SSH.' -x
__fabric_option machine create security_groups 'Security groups, comma-separated' -x
__fabric_option machine create private_network 'The private network' -x
__fabric_option machine create public_network 'A public network to take an address from' -x
__fabric_option machine create userdata 'A cloud-init user-data file.' -r -F
__fabric_option machine create swap 'A swap device of this size, in MB.' -x
__fabric_option machine create block_device 'A block device, dev=id:type:size:delete-on-terminate' -x
__fabric_option machine create scheduler_hints 'A scheduler hint' -x
__fabric_option machine create private_nics 'A private NIC, net-id=ID[,v4-fixed-ip=IP] or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine create public_nics 'A public NIC, net-id=ID or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine create meta 'Metadata for each machine' -x
__fabric_option machine create files 'A file to inject into each machine' -r -F
__fabric_option machine create file 'A file to inject into each machine' -r -F
__fabric_option machine create config_drive 'Attach a configuration drive.'
__fabric_option machine create wait_spawning 'Wait until every machine is ready: the stages of --ready, else of the provider\'s ready setting (default active).'
__fabric_option machine create ready 'What ready means: stages in order of active, address, port:N, cloud-init, mysql[:PORT], replica[:SECONDS], synced' -x
__fabric_option machine create address 'The address the port and mysql stages connect to: auto (public, else private), public or private.' -x -a 'auto public private'
__fabric_option machine create mysql_user 'With a mysql stage, log in as this user and run SELECT 1' -x
__fabric_option machine create mysql_password_file 'The MySQL password of --mysql_user, this file\'s first line.' -r -F
__fabric_option machine create mysql_tls 'Refuse the MySQL login without TLS (MySQL 8 caching_sha2_password users need TLS for a first login).'
__fabric_option machine create on_ready 'Run this command for each machine once its own stages pass, before replica or synced and before it counts (a failure fails the create, all or nothing)' -x
__fabric_option machine create before_destroy 'Run this command for each member before machine destroy or scale destroys it (to drain it)' -x
__fabric_option machine create hook_timeout 'The longest a hook may run, in seconds (default 600).' -x
__fabric_option machine create timeout 'How long to wait, in seconds (default 600).' -x
__fabric_option machine create number_machines 'How many machines (default 1).' -x
__fabric_option machine create group 'Put the machines in this named group, which keeps this create\'s options for machine scale (default: a group of their own).' -x
__fabric_option machine create skip_store 'Do not record the machines in the store.'
__fabric_option machine create dry_run 'Print what would be asked of the cloud'
__fabric_option machine create check 'Check every option and the provider, then exit'
__fabric_option machine create events 'Append one JSON line per transition to this file (- for standard error): created, stage, hook_started, hook_ended, role, ready, failed, destroying, destroyed, summary.' -r -F
__fabric_option machine create store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine create store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine create json 'Print JSON lines'
__fabric_option machine create table 'Print an aligned table'
__fabric_option machine create synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine destroy force 'Forget the machine even if the cloud cannot destroy it.'
__fabric_option machine destroy skip_store 'Destroy a machine the store does not know.'
__fabric_option machine destroy events 'Append one JSON line per transition to this file (- for standard error): created, stage, hook_started, hook_ended, role, ready, failed, destroying, destroyed, summary.' -r -F
__fabric_option machine destroy store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine destroy store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine destroy json 'Print JSON lines'
__fabric_option machine destroy table 'Print an aligned table'
__fabric_option machine destroy synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine wait until 'The stages, in order of active, address, port:N, cloud-init, mysql[:PORT], replica[:SECONDS], synced.' -x
__fabric_option machine wait address 'The address the port and mysql stages connect to: auto (public, else private), public or private.' -x -a 'auto public private'
__fabric_option machine wait mysql_user 'With a mysql stage, log in as this user and run SELECT 1' -x
__fabric_option machine wait mysql_password_file 'The MySQL password of --mysql_user, this file\'s first line.' -r -F
__fabric_option machine wait mysql_tls 'Refuse the MySQL login without TLS (MySQL 8 caching_sha2_password users need TLS for a first login).'
__fabric_option machine wait timeout 'How long to wait, in seconds (default 600).' -x
__fabric_option machine wait skip_store 'Wait for machines the store does not know, and record nothing.'
__fabric_option machine wait events 'Append one JSON line per transition to this file (- for standard error): created, stage, hook_started, hook_ended, role, ready, failed, destroying, destroyed, summary.' -r -F
__fabric_option machine wait store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine wait store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine wait json 'Print JSON lines'
__fabric_option machine wait table 'Print an aligned table'
__fabric_option machine wait synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine list skip_store 'List what the provider reports, not the store.'
__fabric_option machine list group 'Only the machines of this group.' -x
__fabric_option machine list refresh 'Ask the provider for the machines\' state now and record it'
__fabric_option machine list store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine list store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine list json 'Print JSON lines'
__fabric_option machine list table 'Print an aligned table'
__fabric_option machine list synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine scale to 'How many live machines the group should have.' -x
__fabric_option machine scale newest_first 'Shrink by removing the newest machines first.'
__fabric_option machine scale replace_failed 'Destroy the members in ERROR and create new ones in their place.'
__fabric_option machine scale image 'An image property to match (name, id, min_disk, min_ram, ...)' -x -a 'name= id= min_disk= min_ram= mindisk= minram= status= visibility= image_type= os_distro= os_version= mysql_version= fabric_machine_uuid='
__fabric_option machine scale flavor 'A flavor property to match (name, id, vcpus, ram, disk, swap)' -x -a 'name= id= vcpus= ram= disk= swap= ephemeral= rxtx_factor='
__fabric_option machine scale availability_zone 'The availability zone.' -x
__fabric_option machine scale spread 'Spread the group\'s members across failure domains: host (each on a host of its own, or the create fails), soft (on different hosts as far as the cloud can), zone (round-robin over --availability_zones) or none.' -x
__fabric_option machine scale max_per_host 'With --spread host: how many members one host may hold (default 1), as Nova\'s max_server_per_host rule (compute API 2.64).' -x
__fabric_option machine scale availability_zones 'With --spread zone: the zones, comma-separated (on EC2, with --private_network\'s subnets, one per zone, or each zone\'s default subnet).' -x
__fabric_option machine scale key_name 'A key pair stored in the cloud, for SSH.' -x
__fabric_option machine scale security_groups 'Security groups, comma-separated' -x
__fabric_option machine scale private_network 'The private network' -x
__fabric_option machine scale public_network 'A public network to take an address from' -x
__fabric_option machine scale userdata 'A cloud-init user-data file.' -r -F
__fabric_option machine scale swap 'A swap device of this size, in MB.' -x
__fabric_option machine scale block_device 'A block device, dev=id:type:size:delete-on-terminate' -x
__fabric_option machine scale scheduler_hints 'A scheduler hint' -x
__fabric_option machine scale private_nics 'A private NIC, net-id=ID[,v4-fixed-ip=IP] or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine scale public_nics 'A public NIC, net-id=ID or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine scale meta 'Metadata for each machine' -x
__fabric_option machine scale files 'A file to inject into each machine' -r -F
__fabric_option machine scale file 'A file to inject into each machine' -r -F
__fabric_option machine scale config_drive 'Attach a configuration drive.'
__fabric_option machine scale wait_spawning 'Wait until every machine is ready: the stages of --ready, else of the provider\'s ready setting (default active).'
__fabric_option machine scale ready 'What ready means: stages in order of active, address, port:N, cloud-init, mysql[:PORT], replica[:SECONDS], synced' -x
__fabric_option machine scale address 'The address the port and mysql stages connect to: auto (public, else private), public or private.' -x -a 'auto public private'
__fabric_option machine scale mysql_user 'With a mysql stage, log in as this user and run SELECT 1' -x
__fabric_option machine scale mysql_password_file 'The MySQL password of --mysql_user, this file\'s first line.' -r -F
__fabric_option machine scale mysql_tls 'Refuse the MySQL login without TLS (MySQL 8 caching_sha2_password users need TLS for a first login).'
__fabric_option machine scale on_ready 'Run this command for each machine once its own stages pass, before replica or synced and before it counts (a failure fails the create, all or nothing)' -x
__fabric_option machine scale before_destroy 'Run this command for each member before machine destroy or scale destroys it (to drain it)' -x
__fabric_option machine scale hook_timeout 'The longest a hook may run, in seconds (default 600).' -x
__fabric_option machine scale timeout 'How long to wait, in seconds (default 600).' -x
__fabric_option machine scale events 'Append one JSON line per transition to this file (- for standard error): created, stage, hook_started, hook_ended, role, ready, failed, destroying, destroyed, summary.' -r -F
__fabric_option machine scale store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine scale store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine scale json 'Print JSON lines'
__fabric_option machine scale table 'Print an aligned table'
__fabric_option machine scale synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine refresh surge 'How many members to make (and replace) at a time (default 1, at most 6).' -x
__fabric_option machine refresh switchover 'Run this command to hand the primary over to its replacement (stdin: the old and the new primary\'s records)' -x
__fabric_option machine refresh pause_after 'Stop after this many replacements' -x
__fabric_option machine refresh image 'An image property to match (name, id, min_disk, min_ram, ...)' -x -a 'name= id= min_disk= min_ram= mindisk= minram= status= visibility= image_type= os_distro= os_version= mysql_version= fabric_machine_uuid='
__fabric_option machine refresh flavor 'A flavor property to match (name, id, vcpus, ram, disk, swap)' -x -a 'name= id= vcpus= ram= disk= swap= ephemeral= rxtx_factor='
__fabric_option machine refresh availability_zone 'The availability zone.' -x
__fabric_option machine refresh spread 'Spread the group\'s members across failure domains: host (each on a host of its own, or the create fails), soft (on different hosts as far as the cloud can), zone (round-robin over --availability_zones) or none.' -x
__fabric_option machine refresh max_per_host 'With --spread host: how many members one host may hold (default 1), as Nova\'s max_server_per_host rule (compute API 2.64).' -x
__fabric_option machine refresh availability_zones 'With --spread zone: the zones, comma-separated (on EC2, with --private_network\'s subnets, one per zone, or each zone\'s default subnet).' -x
__fabric_option machine refresh key_name 'A key pair stored in the cloud, for SSH.' -x
__fabric_option machine refresh security_groups 'Security groups, comma-separated' -x
__fabric_option machine refresh private_network 'The private network' -x
__fabric_option machine refresh public_network 'A public network to take an address from' -x
__fabric_option machine refresh userdata 'A cloud-init user-data file.' -r -F
__fabric_option machine refresh swap 'A swap device of this size, in MB.' -x
__fabric_option machine refresh block_device 'A block device, dev=id:type:size:delete-on-terminate' -x
__fabric_option machine refresh scheduler_hints 'A scheduler hint' -x
__fabric_option machine refresh private_nics 'A private NIC, net-id=ID[,v4-fixed-ip=IP] or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine refresh public_nics 'A public NIC, net-id=ID or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine refresh meta 'Metadata for each machine' -x
__fabric_option machine refresh files 'A file to inject into each machine' -r -F
__fabric_option machine refresh file 'A file to inject into each machine' -r -F
__fabric_option machine refresh config_drive 'Attach a configuration drive.'
__fabric_option machine refresh wait_spawning 'Wait until every machine is ready: the stages of --ready, else of the provider\'s ready setting (default active).'
__fabric_option machine refresh ready 'What ready means: stages in order of active, address, port:N, cloud-init, mysql[:PORT], replica[:SECONDS], synced' -x
__fabric_option machine refresh address 'The address the port and mysql stages connect to: auto (public, else private), public or private.' -x -a 'auto public private'
__fabric_option machine refresh mysql_user 'With a mysql stage, log in as this user and run SELECT 1' -x
__fabric_option machine refresh mysql_password_file 'The MySQL password of --mysql_user, this file\'s first line.' -r -F
__fabric_option machine refresh mysql_tls 'Refuse the MySQL login without TLS (MySQL 8 caching_sha2_password users need TLS for a first login).'
__fabric_option machine refresh on_ready 'Run this command for each machine once its own stages pass, before replica or synced and before it counts (a failure fails the create, all or nothing)' -x
__fabric_option machine refresh before_destroy 'Run this command for each member before machine destroy or scale destroys it (to drain it)' -x
__fabric_option machine refresh hook_timeout 'The longest a hook may run, in seconds (default 600).' -x
__fabric_option machine refresh timeout 'How long to wait, in seconds (default 600).' -x
__fabric_option machine refresh events 'Append one JSON line per transition to this file (- for standard error): created, stage, hook_started, hook_ended, role, ready, failed, destroying, destroyed, summary.' -r -F
__fabric_option machine refresh store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine refresh store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine refresh json 'Print JSON lines'
__fabric_option machine refresh table 'Print an aligned table'
__fabric_option machine refresh synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine protect store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine protect store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine protect json 'Print JSON lines'
__fabric_option machine protect table 'Print an aligned table'
__fabric_option machine protect synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option machine unprotect store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine unprotect store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option machine unprotect json 'Print JSON lines'
__fabric_option machine unprotect table 'Print an aligned table'
__fabric_option machine unprotect synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option snapshot create wait_spawning 'Wait until the snapshot is active.'
__fabric_option snapshot create timeout 'How long to wait, in seconds (default 600).' -x
__fabric_option snapshot create skip_store 'Snapshot a machine the store does not know.'
__fabric_option snapshot create name 'The snapshot\'s name.' -x
__fabric_option snapshot create store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option snapshot create store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option snapshot create json 'Print JSON lines'
__fabric_option snapshot create table 'Print an aligned table'
__fabric_option snapshot create synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option snapshot destroy skip_store 'Act on a machine the store does not know.'
__fabric_option snapshot destroy force 'Forget snapshots the cloud no longer has.'
__fabric_option snapshot destroy store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option snapshot destroy store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option snapshot destroy json 'Print JSON lines'
__fabric_option snapshot destroy table 'Print an aligned table'
__fabric_option snapshot destroy synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option job list state 'Only jobs in this state: running, succeeded, failed, cancelled or lost.' -x
__fabric_option job list store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job list store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option job list json 'Print JSON lines'
__fabric_option job list table 'Print an aligned table'
__fabric_option job list synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option job show store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job show store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option job show json 'Print JSON lines'
__fabric_option job show table 'Print an aligned table'
__fabric_option job show synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option job wait timeout 'Give up after this many seconds (TimeoutError)' -x
__fabric_option job wait store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job wait store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option job wait json 'Print JSON lines'
__fabric_option job wait table 'Print an aligned table'
__fabric_option job wait synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
__fabric_option job cancel timeout 'Give up waiting for the clean-up after this many seconds (TimeoutError)' -x
__fabric_option job cancel store 'The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job cancel store_password_file 'A mysql:// store\'s password file' -r -F
__fabric_option job cancel json 'Print JSON lines'
__fabric_option job cancel table 'Print an aligned table'
__fabric_option job cancel synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)' -x
# --- end of generated ---
